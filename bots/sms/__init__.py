"""SMS through an HTTP gateway: SMS.ru or a generic form-POST provider."""
