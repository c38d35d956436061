"""The staff's screens in the chat: FAQ editing, the review queue, volunteers and the audit
log, over use cases the admin Mini App shares."""
