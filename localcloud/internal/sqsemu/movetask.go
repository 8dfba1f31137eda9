package sqsemu

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Dead-letter queue redrive: StartMessageMoveTask / ListMessageMoveTasks (API Reference) and
// "Learn how to configure a dead-letter queue redrive in Amazon SQS": messages move oldest first from
// the dead-letter queue to DestinationArn or, without one, back to each message's original source queue
// (the DeadLetterQueueSourceArn recorded when it was dead-lettered); redriven messages are new messages
// with a new message ID and enqueue time; one active task per source queue.

// MoveTask is the state of a message move task, as ListMessageMoveTasks reports it.
type MoveTask struct {
	TaskHandle                        string
	Status                            string // RUNNING, COMPLETED, FAILED
	SourceArn                         string
	DestinationArn                    string // "" = each message's original source queue
	MaxNumberOfMessagesPerSecond      int    // 0 = unlimited
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove int64
	FailureReason                     string
	StartedTimestamp                  time.Time // AWS time
}

type moveTask struct {
	MoveTask
	source string // queue name
	dest   string // queue name or ""
	done   chan struct{}
}

const maxMoveRate = 500

// StartMoveTask starts moving the messages of the dead-letter queue sourceArn to destinationArn ("" =
// their original source queues) at up to rate messages per AWS second (0 = as fast as possible).
func (s *Service) StartMoveTask(sourceArn, destinationArn string, rate int) (string, error) {
	t, err := s.startMove(sourceArn, destinationArn, rate, true)
	if err != nil {
		return "", fmt.Errorf("sqs: start message move task: %w", err)
	}
	go func() {
		defer s.wg.Done()
		s.runMove(t)
	}()
	return t.TaskHandle, nil
}

// Redrive moves every visible message of the dead-letter queue dlq back to its original source queue
// (the StartMessageMoveTask path without DestinationArn) and returns how many moved.
func (s *Service) Redrive(dlq string) (int, error) {
	t, err := s.startMove(dlq, "", 0, false)
	if err != nil {
		return 0, fmt.Errorf("sqs: redrive %s: %w", dlq, err)
	}
	s.runMove(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Status == "FAILED" {
		return int(t.ApproximateNumberOfMessagesMoved), fmt.Errorf("sqs: redrive %s: %s", dlq, t.FailureReason)
	}
	return int(t.ApproximateNumberOfMessagesMoved), nil
}

// startMove registers a task; api (the StartMessageMoveTask action) requires the source to be some
// queue's dead-letter queue and counts the task in s.wg for Close.
func (s *Service) startMove(sourceRef, destRef string, rate int, api bool) (*moveTask, error) {
	if rate < 0 || rate > maxMoveRate {
		return nil, errInvalidParameter("MaxNumberOfMessagesPerSecond", fmt.Sprint(rate), "must be between 1 and 500")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("service closed")
	}
	src, ok := s.queues[QueueName(sourceRef)]
	if !ok {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if api && !s.isDeadLetterQueue(src.name) {
		return nil, errInvalidParameter("SourceArn", sourceRef, "Source queue must be configured as a Dead Letter Queue.")
	}
	dest := ""
	if destRef != "" {
		dest = QueueName(destRef)
		if _, ok := s.queues[dest]; !ok {
			return nil, errResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		if dest == src.name {
			return nil, errInvalidParameter("DestinationArn", destRef, "Source and destination queues must be different.")
		}
	}
	for _, t := range s.tasks {
		if t.source == src.name && t.Status == "RUNNING" {
			return nil, errUnsupported("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	visible, _, _ := s.countsLocked(src)
	t := &moveTask{
		MoveTask: MoveTask{
			TaskHandle: newUUID(), Status: "RUNNING", SourceArn: s.ARN(src.name), MaxNumberOfMessagesPerSecond: rate,
			ApproximateNumberOfMessagesToMove: int64(visible), StartedTimestamp: s.now(),
		},
		source: src.name, dest: dest, done: make(chan struct{}),
	}
	if dest != "" {
		t.DestinationArn = s.ARN(dest)
	}
	s.forgetTasksLocked(src.name, maxMoveTasksListed-1)
	s.tasks[t.TaskHandle] = t
	if api {
		s.wg.Add(1)
	}
	return t, nil
}

// forgetTasksLocked keeps the newest keep finished tasks of the source queue, so that tasks do not pile
// up: ListMessageMoveTasks lists no more than maxMoveTasksListed.
func (s *Service) forgetTasksLocked(source string, keep int) {
	var done []*moveTask
	for _, t := range s.tasks {
		if t.source == source && t.Status != "RUNNING" {
			done = append(done, t)
		}
	}
	if len(done) <= keep {
		return
	}
	sort.Slice(done, func(i, j int) bool { return done[i].StartedTimestamp.After(done[j].StartedTimestamp) })
	for _, t := range done[keep:] {
		delete(s.tasks, t.TaskHandle)
	}
}

func (s *Service) isDeadLetterQueue(name string) bool {
	for _, q := range s.queues {
		if q.cfg.DeadLetterTarget == name {
			return true
		}
	}
	return false
}

func (s *Service) runMove(t *moveTask) {
	defer close(t.done)
	var interval time.Duration
	if t.MaxNumberOfMessagesPerSecond > 0 {
		interval = time.Second / time.Duration(t.MaxNumberOfMessagesPerSecond)
	}
	for {
		more, err := s.moveOne(t)
		if err != nil || !more {
			s.mu.Lock()
			if err != nil {
				t.Status, t.FailureReason = "FAILED", err.Error()
				s.log.Error("message move task failed", "task", t.TaskHandle, "source", t.source, "error", err.Error())
			} else {
				t.Status = "COMPLETED"
			}
			s.mu.Unlock()
			return
		}
		if interval > 0 {
			timer := s.clock.NewTimer(interval)
			select {
			case <-timer.C:
			case <-s.stop:
				timer.Stop()
				s.mu.Lock()
				t.Status, t.FailureReason = "FAILED", "service closed"
				s.mu.Unlock()
				return
			}
		}
	}
}

// moveOne moves the oldest visible message of the task's source; more is false when none is left.
func (s *Service) moveOne(t *moveTask) (more bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, errors.New("service closed")
	}
	if t.ApproximateNumberOfMessagesMoved >= t.ApproximateNumberOfMessagesToMove {
		return false, nil
	}
	src, ok := s.queues[t.source]
	if !ok {
		return false, errors.New("source queue deleted")
	}
	now := s.now()
	s.expireLocked(src, now)
	for _, m := range src.msgs {
		if m.deleted || m.visibleAt.After(now) {
			continue
		}
		dest := t.dest
		if dest == "" {
			if m.dlqSource == "" {
				return false, fmt.Errorf("message %s has no DeadLetterQueueSourceArn: it was not dead-lettered by an SQS redrive policy; give a DestinationArn", m.id)
			}
			dest = QueueName(m.dlqSource)
		}
		dq, ok := s.queues[dest]
		if !ok {
			return false, fmt.Errorf("destination queue %s does not exist", dest)
		}
		s.removeLocked(src, m)
		src.tidy()
		moved := &message{
			id: newUUID(), body: m.body, md5Body: m.md5Body, attrs: m.attrs, md5Attrs: m.md5Attrs,
			sender: m.sender, sent: now, visibleAt: now,
		}
		s.enqueueLocked(dq, moved)
		t.ApproximateNumberOfMessagesMoved++
		return true, nil
	}
	return false, nil
}

// MoveTasks lists the most recent move tasks of the source queue (newest first, at most max; max <= 0
// means 1, AWS's default).
func (s *Service) MoveTasks(sourceArn string, max int) ([]MoveTask, error) {
	if max <= 0 {
		max = 1
	}
	if max > maxMoveTasksListed {
		return nil, errInvalidParameter("MaxResults", fmt.Sprint(max), "must be between 1 and 10")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.queues[QueueName(sourceArn)]
	if !ok {
		return nil, fmt.Errorf("sqs: list message move tasks: %w", errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist."))
	}
	var out []MoveTask
	for _, t := range s.tasks {
		if t.source == src.name {
			out = append(out, t.MoveTask)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartedTimestamp.After(out[j].StartedTimestamp) })
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}
