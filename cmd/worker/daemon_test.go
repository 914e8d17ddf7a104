package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestDaemonServesHealthAndStops(t *testing.T) {
	t.Parallel()
	cfgPath, _ := demoConfig(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	data, _ := os.ReadFile(cfgPath)
	if err := os.WriteFile(cfgPath, append(data, []byte("http: {listen: \""+addr+"\"}\n")...), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, []string{"--config", cfgPath, "run"}, io.Discard, &stderr) }()

	get := func(path string) (int, string) {
		// Generous: start-up loads the gazetteer and migrates, and CI machines are busy.
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			resp, err := http.Get("http://" + addr + path)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, string(body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("GET %s: daemon never answered; stderr:\n%s", path, stderr.String())
		return 0, ""
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("/readyz = %d, want 200 with the database up", code)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d, without Go metrics", code)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("daemon exit = %d, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("daemon did not stop within 10s of its context ending")
	}
}
