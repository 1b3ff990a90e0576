// Command etcd runs a single-member etcd server through go.etcd.io/etcd/server/v3/embed,
// on loopback URLs given as flags. It is a test oracle for scripts/consumers only: no
// TLS, no auth, and fsync off, since its data lives in a temporary directory.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "etcd: "+format+"\n", args...)
	os.Exit(1)
}

func loopbackURL(flagName, raw string) url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		fail("--%s: %v", flagName, err)
	}
	if u.Hostname() != "127.0.0.1" {
		fail("--%s: host must be 127.0.0.1, got %q", flagName, u.Host)
	}
	return *u
}

func main() {
	dataDir := flag.String("data-dir", "", "data directory (required)")
	clientURL := flag.String("listen-client-url", "", "client URL, http://127.0.0.1:PORT (required)")
	peerURL := flag.String("listen-peer-url", "", "peer URL, http://127.0.0.1:PORT (required)")
	readyTimeout := flag.Duration("ready-timeout", 60*time.Second, "give up if not ready within this time")
	flag.Parse()
	if *dataDir == "" || *clientURL == "" || *peerURL == "" {
		fail("--data-dir, --listen-client-url and --listen-peer-url are required")
	}

	cfg := embed.NewConfig()
	cfg.Name = "consumers"
	cfg.Dir = *dataDir
	client := loopbackURL("listen-client-url", *clientURL)
	peer := loopbackURL("listen-peer-url", *peerURL)
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "warn"
	cfg.UnsafeNoFsync = true

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fail("start: %v", err)
	}
	defer e.Close()

	select {
	case <-e.Server.ReadyNotify():
		fmt.Fprintf(os.Stderr, "etcd: ready, serving clients on %s\n", client.String())
	case <-time.After(*readyTimeout):
		e.Server.Stop()
		fail("not ready after %s", *readyTimeout)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case sig := <-stop:
		fmt.Fprintf(os.Stderr, "etcd: %s, stopping\n", sig)
	case err := <-e.Err():
		fail("%v", err)
	}
}
