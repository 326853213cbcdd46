// Metric values matching the filters (null = any); periods inside [$start, $end].
MATCH (m:MetricValue)
WHERE ($scope_kind IS NULL OR m.scope_kind = $scope_kind)
  AND ($scope_id IS NULL OR m.scope_id = $scope_id)
  AND ($indicator IS NULL OR m.indicator = $indicator)
  AND ($definition IS NULL OR m.definition = $definition)
  AND ($parameters_id IS NULL OR m.parameters_id = $parameters_id)
  AND ($start IS NULL OR m.period_start >= datetime($start))
  AND ($end IS NULL OR m.period_end <= datetime($end))
RETURN m {.*, period_start: toString(m.period_start), period_end: toString(m.period_end),
          computed_at: toString(m.computed_at)} AS metric
ORDER BY m.definition, m.parameters, m.scope_kind, m.scope_id, m.indicator, m.period_start,
         m.period_end
