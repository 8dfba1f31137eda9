package snsemu

// MessagesPage returns up to limit outbox messages after the first after ones, oldest first, and
// the position of the next page (-1: none).
func (s *Service) MessagesPage(after, limit int) ([]Message, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	after = min(max(after, 0), len(s.outbox))
	end := min(after+max(limit, 1), len(s.outbox))
	page := append([]Message(nil), s.outbox[after:end]...)
	if end == len(s.outbox) {
		return page, -1
	}
	return page, end
}
