CREATE RANGE INDEX metric_value_scope IF NOT EXISTS FOR (n:MetricValue) ON (n.scope_kind, n.scope_id, n.indicator)
