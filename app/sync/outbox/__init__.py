"""The outbox: what an approved decision queues, how rows are claimed, their outcomes and states."""
