package e2e

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// dialTimeout bounds the proxy's connection to the database server.
const dialTimeout = 5 * time.Second

// proxy forwards TCP connections from a fixed loopback port to target, and
// can be closed and opened again on the same port, which looks to a client
// like a database server that goes down and comes back.
type proxy struct {
	target string
	addr   string

	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]bool
	wg       sync.WaitGroup
}

// startProxy listens on a free 127.0.0.1 port and closes at the end of the
// test.
func startProxy(tb testing.TB, target string) *proxy {
	tb.Helper()
	p := &proxy{target: target, addr: "127.0.0.1:0", conns: make(map[net.Conn]bool)}
	if err := p.open(); err != nil {
		tb.Fatal(err)
	}
	p.addr = p.listener.Addr().String()
	tb.Cleanup(p.close)
	return p
}

// open starts accepting connections on the proxy's address.
func (p *proxy) open() error {
	listener, err := net.Listen("tcp", p.addr)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.listener = listener
	p.mu.Unlock()

	p.wg.Go(func() { p.accept(listener) })
	return nil
}

// close stops accepting, cuts every forwarded connection, and waits until
// they are all gone.
func (p *proxy) close() {
	p.mu.Lock()
	if p.listener != nil {
		p.listener.Close()
		p.listener = nil
	}
	for conn := range p.conns {
		conn.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) accept(listener net.Listener) {
	for {
		client, err := listener.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		p.wg.Go(func() { p.forward(client) })
	}
}

// forward copies bytes both ways between client and a new connection to the
// target until either side closes.
func (p *proxy) forward(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, dialTimeout)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}

	done := make(chan struct{}, 2)
	go func() { io.Copy(server, client); done <- struct{}{} }()
	go func() { io.Copy(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done

	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// track records both connections so that close can cut them. It closes them
// and returns false when the proxy closed in the meantime.
func (p *proxy) track(client, server net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.listener == nil {
		client.Close()
		server.Close()
		return false
	}
	p.conns[client] = true
	p.conns[server] = true
	return true
}
