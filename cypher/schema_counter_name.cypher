// Named counters (e.g. the sequence of attribute conflicts): one node per name.
CREATE CONSTRAINT graphsvc_counter_name IF NOT EXISTS
FOR (n:GraphsvcCounter) REQUIRE n.name IS UNIQUE
