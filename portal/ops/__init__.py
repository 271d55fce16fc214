"""Running the portal: health checks, demo data, backups and retention."""
