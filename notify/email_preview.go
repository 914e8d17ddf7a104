package notify

import (
	"fmt"
	"io"
)

// WriteMessage writes m as the RFC 5322 message Notify would send (multipart, with the
// chart inline), without connecting: for previews. Only the Date, the MIME boundaries and,
// without a key, the Message-ID differ from one call to the next.
func (e *Email) WriteMessage(w io.Writer, m Message) error {
	msg, err := e.buildMsg(m)
	if err != nil {
		return fmt.Errorf("email: build message: %s", Redact(err.Error(), e.cfg.Password))
	}
	if _, err := msg.WriteTo(w); err != nil {
		return fmt.Errorf("email: write message: %w", err)
	}
	return nil
}
