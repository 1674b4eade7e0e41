"""E-mail: SMTP out (order tag in the subject, a Message-ID per letter), IMAP in."""
