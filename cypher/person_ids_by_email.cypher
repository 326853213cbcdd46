// Lower-cased e-mail → the smallest id of the people with it, for each of $emails (distinct,
// lower-cased) that someone has; a seek on the person_email_key index per e-mail.
UNWIND $emails AS email
MATCH (p:Person {email_key: email})
RETURN email, min(p.id) AS id
