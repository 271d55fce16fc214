"""What every form shares: field types and the validation of hostile or mistyped input."""
