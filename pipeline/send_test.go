package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coopwatch/coopwatch/notify"
	"github.com/coopwatch/coopwatch/pipeline"
	"github.com/coopwatch/coopwatch/store"
	"github.com/coopwatch/coopwatch/store/storetest"
)

// fakeNotifier counts deliveries per key; fail, when set, decides each attempt's outcome
// (nil error: delivered).
type fakeNotifier struct {
	delay time.Duration
	fail  func(m notify.Message, attempt int) (bool, error)

	mu        sync.Mutex
	attempts  map[string]int
	delivered map[string]int
}

func newFakeNotifier() *fakeNotifier {
	return &fakeNotifier{attempts: map[string]int{}, delivered: map[string]int{}}
}

func (f *fakeNotifier) Name() string { return "fake" }

func (f *fakeNotifier) Notify(ctx context.Context, m notify.Message) (bool, error) {
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return true, ctx.Err()
		}
	}
	f.mu.Lock()
	f.attempts[m.Key]++
	n := f.attempts[m.Key]
	f.mu.Unlock()
	if f.fail != nil {
		if retry, err := f.fail(m, n); err != nil {
			return retry, err
		}
	}
	f.mu.Lock()
	f.delivered[m.Key]++
	f.mu.Unlock()
	return false, nil
}

func (f *fakeNotifier) count(key string) (attempts, delivered int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[key], f.delivered[key]
}

// outboxRow is a notification's delivery columns, with next_attempt_at measured from the
// database's now.
type outboxRow struct {
	Attempts  int     `db:"attempts"`
	WaitSecs  float64 `db:"wait_secs"`
	Delivered bool    `db:"delivered"`
	Dead      bool    `db:"dead"`
	LastError string  `db:"last_error"`
}

func readOutbox(t *testing.T, st *store.Store, key string) outboxRow {
	t.Helper()
	var r outboxRow
	err := st.DB().Get(&r, `SELECT attempts, extract(epoch FROM next_attempt_at - now())::float8 AS wait_secs,
		delivered_at IS NOT NULL AS delivered, dead_at IS NOT NULL AS dead, last_error
		FROM notifications WHERE key = $1`, key)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return r
}

func fixedBackoff(d time.Duration) func(int) time.Duration {
	return func(int) time.Duration { return d }
}

func newSender(st *store.Store, n notify.Notifier, policy store.RetryPolicy) *pipeline.Sender {
	return &pipeline.Sender{Store: st, Notifiers: map[string]notify.Notifier{"fake": n}, Policy: policy,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func message(key string) store.Notification {
	return store.Notification{Key: key, Channel: "fake", Kind: "alert", Subject: "S " + key, Text: "T " + key}
}

func enqueue(t *testing.T, st *store.Store, msgs ...store.Notification) int {
	t.Helper()
	n, err := st.Enqueue(context.Background(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	b := pipeline.Backoff(30*time.Second, time.Hour)
	tests := []struct {
		attempts int
		full     time.Duration // the un-jittered wait; the result lies in [full/2, full]
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour}, // 64 min, capped
		{30, time.Hour},
		{200, time.Hour}, // the shift must not overflow into a tiny or negative wait
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempts), func(t *testing.T) {
			t.Parallel()
			for range 200 {
				if got := b(tt.attempts); got < tt.full/2 || got > tt.full {
					t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", tt.attempts, got, tt.full/2, tt.full)
				}
			}
		})
	}
}

func TestEnqueueIsIdempotent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	if n := enqueue(t, st, message("k1"), message("k2")); n != 2 {
		t.Errorf("first enqueue added %d, want 2", n)
	}
	m := message("k1")
	m.Text = "decided again, worded differently"
	if n := enqueue(t, st, m); n != 0 {
		t.Errorf("enqueue of a known key added %d, want 0", n)
	}
	var rows int
	if err := st.DB().Get(&rows, `SELECT count(*) FROM notifications WHERE key = 'k1'`); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d rows with key k1, want 1", rows)
	}
	fn := newFakeNotifier()
	if d, _, err := newSender(st, fn, store.RetryPolicy{Backoff: fixedBackoff(time.Hour), MaxAge: time.Hour}).SendDue(context.Background()); err != nil || d != 2 {
		t.Fatalf("SendDue = %d, %v; want 2 delivered", d, err)
	}
	// Enqueued again after delivery: still nothing new to send.
	if n := enqueue(t, st, message("k1")); n != 0 {
		t.Errorf("enqueue of a delivered key added %d", n)
	}
	if _, got := fn.count("k1"); got != 1 {
		t.Errorf("k1 delivered %d times", got)
	}
}

// TestSenderFailures: how each kind of failure leaves a message in the outbox.
func TestSenderFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fail    func(notify.Message, int) (bool, error)
		backoff time.Duration
		age     time.Duration // how long ago the message was queued
		// want
		dead    bool
		minWait time.Duration // next attempt at least this far away
		maxWait time.Duration
		errText string
	}{
		{
			name:    "retryable failure waits the backoff",
			fail:    func(notify.Message, int) (bool, error) { return true, errors.New("503 busy") },
			backoff: 10 * time.Minute, minWait: 10 * time.Minute, maxWait: 11 * time.Minute, errText: "503 busy",
		},
		{
			name: "Retry-After longer than the backoff wins",
			fail: func(notify.Message, int) (bool, error) {
				return true, &notify.RetryAfterError{After: 2 * time.Minute, Err: errors.New("rate limited")}
			},
			backoff: time.Second, minWait: 2 * time.Minute, maxWait: 3 * time.Minute, errText: "rate limited",
		},
		{
			// A notifier that says "not retryable" but names a time to come back is retried.
			name: "Retry-After makes a failure retryable",
			fail: func(notify.Message, int) (bool, error) {
				return false, &notify.RetryAfterError{After: 2 * time.Minute, Err: errors.New("slow down")}
			},
			backoff: time.Second, minWait: 2 * time.Minute, maxWait: 3 * time.Minute, errText: "slow down",
		},
		{
			name: "backoff longer than Retry-After wins",
			fail: func(notify.Message, int) (bool, error) {
				return true, &notify.RetryAfterError{After: time.Second, Err: errors.New("x")}
			},
			backoff: 5 * time.Minute, minWait: 5 * time.Minute, maxWait: 6 * time.Minute,
		},
		{
			name:    "permanent failure is dead",
			fail:    func(notify.Message, int) (bool, error) { return false, errors.New("invalid_auth") },
			backoff: time.Minute, dead: true, errText: "invalid_auth",
		},
		{
			name:    "retryable failure older than MaxAge is dead",
			fail:    func(notify.Message, int) (bool, error) { return true, errors.New("503 busy") },
			backoff: time.Minute, age: 25 * time.Hour, dead: true, errText: "503 busy",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := storetest.New(t)
			enqueue(t, st, message("m"))
			if tt.age > 0 {
				if _, err := st.DB().Exec(`UPDATE notifications SET created_at = now() - $1 * interval '1 second'`, tt.age.Seconds()); err != nil {
					t.Fatal(err)
				}
			}
			fn := newFakeNotifier()
			fn.fail = tt.fail
			s := newSender(st, fn, store.RetryPolicy{Backoff: fixedBackoff(tt.backoff), MaxAge: 24 * time.Hour})
			delivered, failed, err := s.SendDue(ctx)
			if err != nil || delivered != 0 || failed != 1 {
				t.Fatalf("SendDue = %d delivered, %d failed, %v; want 0, 1, nil", delivered, failed, err)
			}
			r := readOutbox(t, st, "m")
			if r.Attempts != 1 || r.Delivered || r.Dead != tt.dead {
				t.Errorf("attempts %d, delivered %v, dead %v; want 1, false, %v", r.Attempts, r.Delivered, r.Dead, tt.dead)
			}
			if !tt.dead {
				if wait := time.Duration(r.WaitSecs * float64(time.Second)); wait < tt.minWait-time.Second || wait > tt.maxWait {
					t.Errorf("next attempt in %s, want %s to %s", wait, tt.minWait, tt.maxWait)
				}
			}
			if !strings.Contains(r.LastError, tt.errText) {
				t.Errorf("last_error %q, want it to mention %q", r.LastError, tt.errText)
			}
			// Nothing is due now: a second pass does not try again.
			if d, f, err := s.SendDue(ctx); d+f != 0 || err != nil {
				t.Errorf("second SendDue = %d, %d, %v; want nothing tried", d, f, err)
			}
			if a, _ := fn.count("m"); a != 1 {
				t.Errorf("notifier tried %d times, want 1", a)
			}
			counts, err := st.Outbox(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1}[tt.dead]; counts.Dead != want || counts.Pending != 1-want {
				t.Errorf("outbox %+v", counts)
			}
		})
	}
}

// A retry that succeeds clears the error; attempts count every try.
func TestSenderRetryThenDeliver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	enqueue(t, st, message("m"))
	fn := newFakeNotifier()
	fn.fail = func(_ notify.Message, n int) (bool, error) {
		if n == 1 {
			return true, errors.New("connection reset")
		}
		return false, nil
	}
	s := newSender(st, fn, store.RetryPolicy{Backoff: fixedBackoff(time.Hour), MaxAge: 24 * time.Hour})
	if _, f, _ := s.SendDue(ctx); f != 1 {
		t.Fatalf("first pass failed %d, want 1", f)
	}
	// Make the retry due, as an hour passing would.
	if _, err := st.DB().Exec(`UPDATE notifications SET next_attempt_at = now()`); err != nil {
		t.Fatal(err)
	}
	if d, f, err := s.SendDue(ctx); d != 1 || f != 0 || err != nil {
		t.Fatalf("second pass = %d, %d, %v; want 1 delivered", d, f, err)
	}
	r := readOutbox(t, st, "m")
	if !r.Delivered || r.Attempts != 2 || r.LastError != "" {
		t.Errorf("after retry: %+v", r)
	}
}

// A message for a channel no longer configured is dead at once.
func TestSenderUnknownChannel(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	m := message("m")
	m.Channel = "removed"
	enqueue(t, st, m)
	s := newSender(st, newFakeNotifier(), store.RetryPolicy{Backoff: fixedBackoff(time.Minute), MaxAge: time.Hour})
	if _, f, err := s.SendDue(context.Background()); f != 1 || err != nil {
		t.Fatalf("SendDue failed %d, %v", f, err)
	}
	if r := readOutbox(t, st, "m"); !r.Dead || !strings.Contains(r.LastError, `"removed"`) {
		t.Errorf("%+v", r)
	}
}

// TestSenderRestart: messages queued by one worker life are delivered by the next, once.
func TestSenderRestart(t *testing.T) {
	t.Parallel()
	policy := store.RetryPolicy{Backoff: fixedBackoff(time.Minute), MaxAge: time.Hour}

	t.Run("between enqueue and delivery", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		st, url := storetest.NewWithURL(t)
		enqueue(t, st, message("a"), message("b"))
		// The worker that queued them stops before its sender runs. A new process opens its
		// own connection and builds a new Sender.
		st2 := openStore(t, url)
		fn := newFakeNotifier()
		if d, _, err := newSender(st2, fn, policy).SendDue(ctx); d != 2 || err != nil {
			t.Fatalf("SendDue after restart = %d, %v; want 2", d, err)
		}
		if d, f, err := newSender(st2, fn, policy).SendDue(ctx); d+f != 0 || err != nil {
			t.Errorf("a further SendDue = %d, %d, %v; want nothing", d, f, err)
		}
		for _, k := range []string{"a", "b"} {
			if _, n := fn.count(k); n != 1 {
				t.Errorf("%s delivered %d times, want 1", k, n)
			}
		}
	})

	t.Run("during delivery", func(t *testing.T) {
		t.Parallel()
		st, url := storetest.NewWithURL(t)
		enqueue(t, st, message("a"))
		// The worker is told to stop while the far side is still answering (within the
		// channel's timeout): the delivery finishes and is recorded, so the restarted
		// worker does not send it again. Abandoning it could send it twice.
		ctx, cancel := context.WithCancel(context.Background())
		slow := newFakeNotifier()
		slow.delay = 300 * time.Millisecond
		done := make(chan error, 1)
		go func() { _, _, err := newSender(st, slow, policy).SendDue(ctx); done <- err }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		if err := <-done; err == nil {
			t.Error("SendDue of a stopped worker returned no error")
		}
		if r := readOutbox(t, st, "a"); !r.Delivered || r.Attempts != 1 {
			t.Errorf("after the stop: %+v, want delivered after one attempt", r)
		}
		fn := newFakeNotifier()
		if d, _, err := newSender(openStore(t, url), fn, policy).SendDue(context.Background()); d != 0 || err != nil {
			t.Fatalf("SendDue after restart = %d, %v; want nothing left to send", d, err)
		}
		if _, n := slow.count("a"); n != 1 {
			t.Errorf("a delivered %d times, want 1", n)
		}
	})
}

func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestSendersConcurrently: two workers draining one outbox deliver every message once.
func TestSendersConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, url := storetest.NewWithURL(t)
	const total = 50
	var msgs []store.Notification
	for i := range total {
		msgs = append(msgs, message(fmt.Sprintf("m%02d", i)))
	}
	enqueue(t, st, msgs...)

	fn := newFakeNotifier()
	fn.delay = 3 * time.Millisecond
	policy := store.RetryPolicy{Backoff: fixedBackoff(time.Minute), MaxAge: time.Hour}
	senders := []*pipeline.Sender{newSender(st, fn, policy), newSender(openStore(t, url), fn, policy)}
	var wg sync.WaitGroup
	got := make([]int, len(senders))
	errs := make([]error, len(senders))
	for i, s := range senders {
		wg.Go(func() {
			var failed int
			got[i], failed, errs[i] = s.SendDue(ctx)
			if failed > 0 {
				errs[i] = errors.Join(errs[i], fmt.Errorf("%d failed attempts", failed))
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("sender %d: %v", i, err)
		}
	}
	if got[0]+got[1] != total {
		t.Errorf("senders delivered %d + %d, want %d in all", got[0], got[1], total)
	}
	if got[0] == 0 || got[1] == 0 {
		t.Logf("one sender did all the work (%d, %d): the test did not exercise concurrency", got[0], got[1])
	}
	for _, m := range msgs {
		if a, d := fn.count(m.Key); a != 1 || d != 1 {
			t.Errorf("%s: %d attempts, %d deliveries; want exactly 1", m.Key, a, d)
		}
	}
	counts, err := st.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts != (store.OutboxCounts{Delivered: total}) {
		t.Errorf("outbox %+v, want all %d delivered", counts, total)
	}
}
