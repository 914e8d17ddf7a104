// Package errlist keeps several problems in one error, each naming where it is, so that a
// command can list every problem rather than the first.
package errlist

import (
	"errors"
	"fmt"
)

// Prefix puts prefix before each problem err joins (or before err itself), so that every
// line of the list says which file it is about.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	parts := Split(err)
	for i, p := range parts {
		parts[i] = fmt.Errorf("%s%w", prefix, p)
	}
	return errors.Join(parts...)
}

// Split returns the problems err joins, at any depth of errors.Join; a plain error is one
// problem.
func Split(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, Split(e)...)
	}
	return out
}
