// Case-insensitive e-mail look-ups (identity resolution): email_key is the lower-cased email.
CREATE RANGE INDEX person_email_key IF NOT EXISTS FOR (p:Person) ON (p.email_key)
