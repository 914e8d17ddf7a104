// Package config reads coopwatch's one YAML file: ${ENV} expansion, *_file secrets,
// defaults, and validation that reports every problem with the key and line.
package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"github.com/coopwatch/coopwatch/internal/errlist"
	"github.com/coopwatch/coopwatch/plan"
	"github.com/coopwatch/coopwatch/sources"
)

// DefaultDatabaseURL is used when neither the config nor DATABASE_URL names a database.
// lib/pq defaults to sslmode=require, so the local default says sslmode explicitly.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/coopwatch?sslmode=disable"

// Config is the whole configuration of one worker.
type Config struct {
	// Province is the province this deployment watches, by code ("93") or name ("Hậu Giang").
	Province string `yaml:"province"`
	// TimeZone for schedules, "today" and dates in reports. Default Asia/Ho_Chi_Minh.
	TimeZone string `yaml:"timezone"`
	// Language of digests and alerts: vi (default) or en.
	Language string `yaml:"language"`
	// StateDir holds rendered digests and downloads. Default ./state.
	StateDir string `yaml:"state_dir"`

	Database  Database  `yaml:"database"`
	Gazetteer Gazetteer `yaml:"gazetteer"`
	Plan      Plan      `yaml:"plan"`
	Sources   []Source  `yaml:"sources"`
	Schedule  Schedule  `yaml:"schedule"`
	HTTP      HTTP      `yaml:"http"`
	Notify    Notify    `yaml:"notify"`

	// Location is TimeZone loaded; set by Load.
	Location *time.Location `yaml:"-"`
	// Dir is the folder of the config file; relative paths in it are resolved against it.
	Dir string `yaml:"-"`

	lines map[string]int // key path -> line, for errors found after decoding
}

// Database says where Postgres is.
type Database struct {
	// URL of the database; default DATABASE_URL, then DefaultDatabaseURL. url_file reads it
	// from a file.
	URL string `yaml:"url"`
}

// Gazetteer chooses the list of administrative units.
type Gazetteer struct {
	// Edition is pre-reform (province > district > commune, default) or post-reform.
	Edition string `yaml:"edition"`
	// Path of a CSV with the same columns as the shipped one; empty uses the shipped data.
	Path string `yaml:"path"`
	// Aliases map a name as written in data to a unit code, and win over name matching.
	Aliases map[string]string `yaml:"aliases"`
}

// Plan points at the plan file.
type Plan struct {
	// Path of the plan YAML. Default plans/default.yaml next to the config's folder.
	Path string `yaml:"path"`
}

// Schedule holds cron expressions (robfig/cron syntax, in TimeZone).
type Schedule struct {
	Import string `yaml:"import"` // pull every source, then recompute; default "0 */6 * * *"
	Digest string `yaml:"digest"` // weekly digest; default "30 7 * * MON"
}

// HTTP is the daemon's health and metrics endpoint.
type HTTP struct {
	// Listen address for /healthz, /readyz and /metrics. Default 127.0.0.1:9464; "off"
	// disables it.
	Listen string `yaml:"listen"`
}

// Source is one configured data source.
type Source struct {
	Name   string `yaml:"name"`
	Kind   string `yaml:"kind"`   // xlsx, csv, api
	Entity string `yaml:"entity"` // cooperatives, cooperative_groups, activities
	// Path is a file or a glob; URL an HTTP(S) export link instead.
	Path string `yaml:"path"`
	URL  string `yaml:"url"`
	// Sheet to read; default the first visible one.
	Sheet string `yaml:"sheet"`
	// Columns: target field -> header aliases, replacing that field's defaults.
	Columns map[string][]string `yaml:"columns"`
	// District fixed for every file of this source; or cut from file names by
	// FileNamePattern ("bao-cao-{district}.xlsx"); else found in the file name or title rows.
	District        string `yaml:"district"`
	FileNamePattern string `yaml:"file_name_pattern"`
	// MoneyUnit for amounts whose header names no unit: dong, trieu (default), ty.
	MoneyUnit string `yaml:"money_unit"`
	// Encoding and Delimiter of CSV files; default: detected.
	Encoding  string `yaml:"encoding"`
	Delimiter string `yaml:"delimiter"`
	// HeaderScanRows is how many rows the header is searched in. Default 15.
	HeaderScanRows int `yaml:"header_scan_rows"`
	// ScoreBands turn a Circular 01/2020 score into a rating: good (tốt) from Good, fair
	// (khá) from Fair, average (trung bình) from Average, weak (yếu) below. Default 75, 50, 35.
	ScoreBands ScoreBands `yaml:"score_bands"`
	// ActivityKinds maps activity type names as written in the data to the plan's kinds
	// (outreach_class, vocational_class, handbook_print, workshop, trade_promotion); they are
	// tried before the built-in names.
	ActivityKinds map[string]string `yaml:"activity_kinds"`
	// API settings of a source of kind api.
	API API `yaml:"api"`
}

// ScoreBands are the lower bounds of each rating, in points out of 100.
type ScoreBands struct {
	Good    float64 `yaml:"good"`
	Fair    float64 `yaml:"fair"`
	Average float64 `yaml:"average"`
}

// Load reads, expands and validates the config file at path. The returned error lists every
// problem found, each with its key and line; with it, the config is returned as far as it
// could be read (nil when the file could not be read or is not YAML).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg, err := Parse(data, filepath.Dir(path))
	return cfg, errlist.Prefix("config "+path+": ", err)
}

// Parse decodes YAML config text; dir resolves relative paths and *_file secrets. Unknown
// keys, wrong types and invalid values are all reported together.
func Parse(data []byte, dir string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	cfg := &Config{Dir: dir, lines: map[string]int{}}
	problems := unknownKeys(data)
	if len(root.Content) > 0 {
		doc := root.Content[0]
		expand(doc, "", dir, cfg.lines, &problems)
		if err := doc.Decode(cfg); err != nil {
			problems = append(problems, yamlProblems(err)...)
		}
	}
	cfg.fillDefaults()
	if err := cfg.Validate(); err != nil {
		problems = append(problems, errlist.Split(err)...)
	}
	// The config is returned with its problems so that `worker check` can go on to check
	// the plan, gazetteer and database it names; other callers stop at the error.
	return cfg, errors.Join(problems...)
}

// unknownKeys decodes the raw text once more with unknown fields refused, so that a typo
// in a key is reported with its line rather than ignored.
func unknownKeys(data []byte) []error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var probe Config
	err := dec.Decode(&probe)
	var problems []error
	for _, e := range yamlProblems(err) {
		if m := unknownField.FindStringSubmatch(e.Error()); m != nil && !secretKeys[strings.TrimSuffix(m[1], "_file")] {
			problems = append(problems, e)
		}
	}
	return problems
}

var unknownField = regexp.MustCompile(`field (\w+) not found in type`)

// yamlProblems splits a yaml.v3 decoding error into one error per problem.
func yamlProblems(err error) []error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]error, len(te.Errors))
		for i, msg := range te.Errors {
			out[i] = errors.New(msg)
		}
		return out
	}
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	return []error{err}
}

func (c *Config) fillDefaults() {
	c.TimeZone = cmp.Or(c.TimeZone, "Asia/Ho_Chi_Minh")
	c.Language = cmp.Or(c.Language, "vi")
	c.StateDir = c.resolve(cmp.Or(c.StateDir, "state"))
	c.Database.URL = cmp.Or(c.Database.URL, os.Getenv("DATABASE_URL"), DefaultDatabaseURL)
	c.Gazetteer.Edition = cmp.Or(c.Gazetteer.Edition, "pre-reform")
	if c.Gazetteer.Path != "" {
		c.Gazetteer.Path = c.resolve(c.Gazetteer.Path)
	}
	c.Plan.Path = c.resolve(cmp.Or(c.Plan.Path, "plans/default.yaml"))
	c.Schedule.Import = cmp.Or(c.Schedule.Import, "0 */6 * * *")
	c.Schedule.Digest = cmp.Or(c.Schedule.Digest, "30 7 * * MON")
	c.HTTP.Listen = cmp.Or(c.HTTP.Listen, "127.0.0.1:9464")
	c.Notify.fillDefaults(c.Language)
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.Path != "" {
			s.Path = c.resolve(s.Path)
		}
		s.MoneyUnit = cmp.Or(s.MoneyUnit, "trieu")
		s.ScoreBands.Good = cmp.Or(s.ScoreBands.Good, 75)
		s.ScoreBands.Fair = cmp.Or(s.ScoreBands.Fair, 50)
		s.ScoreBands.Average = cmp.Or(s.ScoreBands.Average, 35)
	}
}

func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Validate checks every field and returns all problems at once, each naming its key and,
// where known, its line.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if line, ok := c.lineOf(key); ok {
			errs = append(errs, fmt.Errorf("line %d: %s: %s", line, key, msg))
			return
		}
		errs = append(errs, fmt.Errorf("%s: %s", key, msg))
	}
	if strings.TrimSpace(c.Province) == "" {
		bad("province", "is required (a province code such as 93 or a name such as Hậu Giang)")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		bad("timezone", "unknown time zone %q", c.TimeZone)
	} else {
		c.Location = loc
	}
	if c.Language != "vi" && c.Language != "en" {
		bad("language", "must be vi or en, not %q", c.Language)
	}
	if c.Gazetteer.Edition != "pre-reform" && c.Gazetteer.Edition != "post-reform" {
		bad("gazetteer.edition", "must be pre-reform or post-reform, not %q", c.Gazetteer.Edition)
	}
	if !strings.HasPrefix(c.Database.URL, "postgres://") && !strings.HasPrefix(c.Database.URL, "postgresql://") {
		bad("database.url", "must be a postgres:// URL")
	}
	for key, spec := range map[string]string{"schedule.import": c.Schedule.Import, "schedule.digest": c.Schedule.Digest} {
		if _, err := cronSpec.Parse(spec); err != nil {
			bad(key, "%q is not a cron expression: %v", spec, err)
		}
	}
	c.Notify.validate(bad)
	seen := map[string]bool{}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if s.Name == "" {
			bad(key+".name", "is required")
		} else if seen[s.Name] {
			bad(key+".name", "%q is used by an earlier source", s.Name)
		}
		seen[s.Name] = true
		switch s.MoneyUnit {
		case "dong", "trieu", "ty":
		default:
			bad(key+".money_unit", "must be dong, trieu or ty, not %q", s.MoneyUnit)
		}
		if b := s.ScoreBands; !(0 < b.Average && b.Average < b.Fair && b.Fair < b.Good && b.Good <= 100) {
			bad(key+".score_bands", "need 0 < average (%v) < fair (%v) < good (%v) <= 100", b.Average, b.Fair, b.Good)
		}
		for written, kind := range s.ActivityKinds {
			if !slices.Contains(plan.ActivityKinds, kind) {
				bad(key+".activity_kinds", "%q maps to %q, which is not one of %v", written, kind, plan.ActivityKinds)
			}
		}
		validate, prefix, section := s.FileConfig().Validate, fmt.Sprintf("file source %q: ", s.Name), "."
		if s.Kind == "api" {
			validate, prefix, section = s.APIConfig().Validate, fmt.Sprintf("api source %q: ", s.Name), ".api."
		}
		if err := validate(); err != nil {
			for _, e := range errlist.Split(err) {
				field, msg, _ := strings.Cut(strings.TrimPrefix(e.Error(), prefix), ": ")
				where := section
				if field == "url" || field == "entity" || field == "name" { // keys of the source itself
					where = "."
				}
				bad(key+where+field, "%s", msg)
			}
		}
	}
	return errors.Join(errs...)
}

// cronSpec parses schedules as robfig/cron's default parser does (minute to day of week).
var cronSpec = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// lineOf finds the line of a key; for a key that is missing, the line of the nearest
// enclosing key or list item.
func (c *Config) lineOf(key string) (int, bool) {
	for k := key; k != ""; {
		if line, ok := c.lines[k]; ok {
			return line, true
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0, false
}

// FileConfig turns a spreadsheet source into the sources package's own config.
func (s Source) FileConfig() sources.FileConfig {
	return sources.FileConfig{
		Name:            s.Name,
		Entity:          sources.Entity(s.Entity),
		Kind:            s.Kind,
		Path:            s.Path,
		URL:             s.URL,
		Sheet:           s.Sheet,
		Columns:         s.Columns,
		District:        s.District,
		FileNamePattern: s.FileNamePattern,
		Encoding:        s.Encoding,
		Delimiter:       s.Delimiter,
		HeaderScanRows:  s.HeaderScanRows,
	}
}
