package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// secretKeys may instead be given as <key>_file: the path of a file holding the value, so
// secrets stay out of the config file (systemd credentials, Docker secrets).
var secretKeys = map[string]bool{"url": true, "token": true, "password": true, "webhook_url": true, "secret": true}

// expand walks the YAML tree before decoding: it records each key's line under its path
// ("sources[0].kind"), replaces ${ENV} in values, and reads *_file secrets.
func expand(n *yaml.Node, path, dir string, lines map[string]int, problems *[]error) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := joinKey(path, k.Value)
			lines[key] = k.Line
			if base, ok := strings.CutSuffix(k.Value, "_file"); ok && secretKeys[base] && v.Kind == yaml.ScalarNode {
				readSecret(n, k, v, base, key, dir, problems)
				lines[joinKey(path, base)] = k.Line
				continue
			}
			expand(v, key, dir, lines, problems)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			item := fmt.Sprintf("%s[%d]", path, i)
			lines[item] = c.Line
			expand(c, item, dir, lines, problems)
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		n.Value = os.Expand(n.Value, func(name string) string {
			name, fallback, hasFallback := strings.Cut(name, ":-")
			if v, ok := os.LookupEnv(name); ok && v != "" {
				return v
			}
			if !hasFallback {
				*problems = append(*problems, fmt.Errorf("line %d: %s: environment variable %s is not set", n.Line, path, name))
			}
			return fallback
		})
	}
}

// readSecret turns "token_file: /run/secret" into "token: <file contents>" in place.
func readSecret(m, k, v *yaml.Node, base, key, dir string, problems *[]error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == base {
			*problems = append(*problems, fmt.Errorf("line %d: %s: give %s or %s, not both", k.Line, key, base, k.Value))
			return
		}
	}
	p := v.Value
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		// The error names the path, never the contents.
		*problems = append(*problems, fmt.Errorf("line %d: %s: %w", k.Line, key, err))
		return
	}
	k.Value = base
	v.Value = strings.TrimSpace(string(data))
	v.Tag = "!!str"
	v.Style = 0
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
