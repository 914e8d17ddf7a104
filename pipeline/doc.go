// Package pipeline normalizes raw source records into cooperatives, groups and activities, loads them, and recomputes plan attainment.
package pipeline
