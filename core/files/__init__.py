"""Files: attachments on orders and clients, download links, shared folders."""
