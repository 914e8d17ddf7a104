package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"
)

// cmdRun is the daemon: scheduled jobs, health and metrics, systemd readiness and
// watchdog. On SIGINT or SIGTERM it stops taking new work; an import under way is rolled
// back (each file is one transaction, so nothing is half-applied) and redone next time,
// and a message being delivered finishes and is recorded before the process exits.
func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := e.flags("run", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()

	sender, err := a.sender()
	if err != nil {
		return err
	}
	send := func(ctx context.Context) error { return a.send(ctx, sender) }

	m := newMetrics()
	sched := cron.New(cron.WithLocation(a.cfg.Location), cron.WithChain(cron.SkipIfStillRunning(cronLogger{a.log})))
	type job struct {
		name, spec string
		run        func(context.Context) error
	}
	jobs := []job{
		{"import", a.cfg.Schedule.Import, func(ctx context.Context) error {
			if _, err := a.importSources(ctx, "", nil); err != nil {
				return err
			}
			if err := a.recompute(ctx, a.today()); err != nil {
				return err
			}
			if err := a.evaluateAlerts(ctx, a.today()); err != nil {
				return err
			}
			return send(ctx)
		}},
		{"digest", a.cfg.Schedule.Digest, func(ctx context.Context) error {
			if err := a.recompute(ctx, a.today()); err != nil {
				return err
			}
			path, err := a.saveDigest(ctx, a.today())
			if err == nil {
				a.log.Info("digest saved", "path", path)
			}
			return err
		}},
	}
	for _, g := range a.cfg.Notify.Groups {
		if g.Digest == "off" {
			continue
		}
		jobs = append(jobs, job{"digest:" + g.Name, g.Digest, func(ctx context.Context) error {
			if err := a.recompute(ctx, a.today()); err != nil {
				return err
			}
			if err := a.queueDigests(ctx, a.today(), g.Name); err != nil {
				return err
			}
			return send(ctx)
		}})
	}
	// Messages left pending by a restart, or waiting for a retry, go out from here.
	jobs = append(jobs, job{"send", "@every 15s", send})
	for _, j := range jobs {
		if _, err := sched.AddFunc(j.spec, func() { m.observe(a.log, j.name, func() error { return j.run(ctx) }) }); err != nil {
			return fmt.Errorf("schedule of %s: %w", j.name, err)
		}
	}

	srv := a.httpServer(m.registry)
	if srv != nil {
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("http server stopped", "error", err)
			}
		}()
	}
	sched.Start()
	a.log.Info("worker running", "version", version, "import", a.cfg.Schedule.Import, "digest", a.cfg.Schedule.Digest,
		"http", a.cfg.HTTP.Listen)
	daemon.SdNotify(false, daemon.SdNotifyReady) //nolint:errcheck // not under systemd: nothing to tell
	go a.watchdog(ctx)

	<-ctx.Done()
	daemon.SdNotify(false, daemon.SdNotifyStopping) //nolint:errcheck
	a.log.Info("stopping: waiting for running jobs")
	<-sched.Stop().Done()
	if srv != nil {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown) //nolint:errcheck // exiting anyway
	}
	return nil
}

// httpServer serves /healthz, /readyz and /metrics, or nothing when listen is "off".
func (a *app) httpServer(reg *prometheus.Registry) *http.Server {
	if a.cfg.HTTP.Listen == "off" {
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.store.Ping(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &http.Server{Addr: a.cfg.HTTP.Listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}

// watchdog pings systemd while the database answers, so a worker that lost its database
// is restarted rather than left running blind.
func (a *app) watchdog(ctx context.Context) {
	interval, err := daemon.SdWatchdogEnabled(false)
	if err != nil || interval == 0 {
		return
	}
	tick := time.NewTicker(interval / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			pingCtx, cancel := context.WithTimeout(ctx, interval/3)
			err := a.store.Ping(pingCtx)
			cancel()
			if err != nil {
				a.log.Error("watchdog: database unreachable", "error", err)
				continue
			}
			daemon.SdNotify(false, daemon.SdNotifyWatchdog) //nolint:errcheck
		}
	}
}

// metrics of the daemon's jobs, in a registry of its own (no package globals).
type metrics struct {
	registry    *prometheus.Registry
	runs        *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coopwatch_job_runs_total",
			Help: "Scheduled job runs by job and outcome."}, []string{"job", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "coopwatch_job_duration_seconds",
			Help: "Duration of scheduled jobs.", Buckets: prometheus.ExponentialBuckets(0.1, 2, 12)}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "coopwatch_job_last_success_timestamp_seconds",
			Help: "When each job last succeeded."}, []string{"job"}),
	}
	m.registry.MustRegister(m.runs, m.duration, m.lastSuccess,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(log *slog.Logger, job string, run func() error) {
	start := time.Now()
	err := run()
	m.duration.WithLabelValues(job).Observe(time.Since(start).Seconds())
	if err != nil {
		m.runs.WithLabelValues(job, "failed").Inc()
		log.Error("job failed", "job", job, "error", err)
		return
	}
	m.runs.WithLabelValues(job, "ok").Inc()
	m.lastSuccess.WithLabelValues(job).SetToCurrentTime()
}

// cronLogger sends robfig/cron's messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "error", err)...)
}
