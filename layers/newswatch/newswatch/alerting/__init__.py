"""The alert path: messages, delivery policy and digest schedules."""
