CREATE RANGE INDEX alias_person_id IF NOT EXISTS FOR (a:Alias) ON (a.person_id)
