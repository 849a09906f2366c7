// Package mail sends the platform's e-mail (password resets, invitations):
// over SMTP when configured, otherwise into an outbox table that admins read
// at /admin/outbox.
package mail

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/citylens/citylens"
)

// Message is one e-mail.
type Message struct {
	ID        int64     `json:"id"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	// Headers are extra header lines ("Name: value"), such as the one-click
	// unsubscribe of a notification (RFC 8058); names and values hold no
	// line breaks.
	Headers []string `json:"-"`
}

// Sender delivers a message. Callers send inside the transaction that created
// what the message refers to (a reset token, an invitation): an outbox write
// commits with it, and an SMTP failure rolls it back.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// OutboxStore keeps undelivered mail for admins to read.
type OutboxStore interface {
	PutOutboxMessage(ctx context.Context, m Message) (Message, error)
	ListOutbox(ctx context.Context, limit int) ([]Message, error)
	OutboxMessage(ctx context.Context, id int64) (Message, error)
}

// BatchSender is a Sender that also delivers many messages in one go (a
// reminder run's e-mails), in the caller's transaction.
type BatchSender interface {
	Sender
	SendAll(ctx context.Context, ms []Message) error
}

// OutboxBatchStore writes many outbox messages in one statement.
type OutboxBatchStore interface {
	PutOutboxMessages(ctx context.Context, ms []Message) error
}

// Outbox is the Sender used when no SMTP server is configured.
type Outbox struct {
	Store OutboxStore
	Now   func() time.Time
}

func (o Outbox) Send(ctx context.Context, m Message) error {
	m.CreatedAt = o.Now().UTC()
	_, err := o.Store.PutOutboxMessage(ctx, m)
	return err
}

// SendAll writes messages to the outbox, in one statement per few
// hundred when the store can.
func (o Outbox) SendAll(ctx context.Context, ms []Message) error {
	now := o.Now().UTC()
	for i := range ms {
		ms[i].CreatedAt = now
	}
	if bs, ok := o.Store.(OutboxBatchStore); ok {
		return bs.PutOutboxMessages(ctx, ms)
	}
	for _, m := range ms {
		if _, err := o.Store.PutOutboxMessage(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// SMTPConfig names an SMTP relay. Host empty means "not configured".
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// Validate checks a configured relay.
func (c SMTPConfig) Validate() error {
	if c.Host == "" {
		return nil
	}
	if c.Port <= 0 || c.Port > 65535 {
		return citylens.Errorf(citylens.EINVALID, "smtp: port %d is out of range", c.Port)
	}
	if !strings.Contains(c.From, "@") {
		return citylens.Errorf(citylens.EINVALID, "smtp: from address %q is not an e-mail address", c.From)
	}
	return nil
}

// SMTP sends through a relay with net/smtp (STARTTLS when offered, PLAIN
// auth when a username is set).
type SMTP struct {
	Config SMTPConfig
}

func (s SMTP) Send(ctx context.Context, m Message) error {
	addr := net.JoinHostPort(s.Config.Host, fmt.Sprint(s.Config.Port))
	var auth smtp.Auth
	if s.Config.Username != "" {
		auth = smtp.PlainAuth("", s.Config.Username, s.Config.Password, s.Config.Host)
	}
	body := "From: " + s.Config.From + "\r\nTo: " + m.To + "\r\nSubject: " + m.Subject +
		"\r\n" + headerLines(m.Headers) + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(m.Body, "\n", "\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(addr, auth, s.Config.From, []string{m.To}, []byte(body)) }()
	select {
	case err := <-done:
		if err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "smtp: sending to %s: %v", m.To, err)
		}
		return nil
	case <-ctx.Done():
		return citylens.Errorf(citylens.ECANCELED, "smtp: sending to %s: %v", m.To, ctx.Err())
	}
}

// headerLines writes extra headers, each ended by CRLF, dropping any line
// that carries a line break or no colon (no header injection).
func headerLines(hs []string) string {
	var b strings.Builder
	for _, h := range hs {
		if strings.ContainsAny(h, "\r\n") || !strings.Contains(h, ":") {
			continue
		}
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	return b.String()
}
