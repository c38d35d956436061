"""Regional webinars in the chat: subscribers' screens, the volunteers' wizard and list, and
the wording of every webinar message (`compose.WebinarComposer`, the outbox worker's
composer)."""
