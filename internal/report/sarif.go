package report

import (
	"cmp"
	"encoding/json"
	"io"
)

// SARIF 2.1.0, the subset dockslim writes. Columns count Unicode code
// points (run.columnKind).
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
		ColumnKind  string            `json:"columnKind"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		HelpURI              string         `json:"helpUri"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool                `json:"executionSuccessful"`
		Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifText       `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Fixes               []sarifFix        `json:"fixes,omitempty"`
		Properties          map[string]any    `json:"properties"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	sarifFix struct {
		Description     sarifText             `json:"description"`
		ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
	}
	sarifArtifactChange struct {
		ArtifactLocation sarifArtifact      `json:"artifactLocation"`
		Replacements     []sarifReplacement `json:"replacements"`
	}
	sarifReplacement struct {
		DeletedRegion   sarifRegion `json:"deletedRegion"`
		InsertedContent *sarifText  `json:"insertedContent,omitempty"`
	}
)

const (
	sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	projectURI  = "https://github.com/dockslim/dockslim"
	// fingerprintKey names dockslim's partial fingerprint (versioned: a
	// new way of computing it gets a new key).
	fingerprintKey = "dockslimFingerprint/v1"
)

func writeSARIF(w io.Writer, r *Report) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: r.Tool, Version: r.Version, InformationURI: projectURI, Rules: []sarifRule{},
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.Errors) == 0}},
		Results:     []sarifResult{},
		ColumnKind:  "unicodeCodePoints",
	}
	index := map[string]int{}
	for i, rule := range r.Rules {
		index[rule.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(rule))
	}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifText{Clean(e.Message)}}
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{e.File}}}
		if e.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: e.Line}
		}
		n.Locations = []sarifLocation{loc}
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, n)
	}
	fps := Fingerprints(r)
	for i, f := range r.Findings {
		res := sarifResult{
			RuleID: f.Rule.ID, RuleIndex: index[f.Rule.ID], Level: sarifLevel(f.Severity),
			Message: sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{f.File},
				Region:           &sarifRegion{f.Start.Line, f.Start.Char, f.End.Line, f.End.Char},
			}}},
			PartialFingerprints: map[string]string{fingerprintKey: fps[i]},
			Properties:          map[string]any{"applicability": f.Applicability, "fixable": f.Applicability != "suggestion"},
		}
		if f.Saving > 0 {
			res.Properties["savingBytes"] = f.Saving
		}
		if f.Hadolint != "" {
			res.Properties["hadolint"] = f.Hadolint
		}
		if p := f.Proof; p != nil {
			res.Properties["verification"] = sarifProof(p)
		}
		if len(f.Edits) > 0 {
			res.Fixes = []sarifFix{sarifFixOf(f)}
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifRuleOf(r *Rule) sarifRule {
	tag := r.Applicability + "-fix"
	if r.Applicability == "suggestion" {
		tag = "no-fix"
	}
	props := map[string]any{"applicability": r.Applicability, "tags": []string{"dockerfile", tag}}
	if len(r.Hadolint) > 0 {
		props["hadolint"] = r.Hadolint
	}
	return sarifRule{
		ID: r.ID, Name: r.Name,
		ShortDescription:     sarifText{r.Summary},
		FullDescription:      sarifText{cmp.Or(r.Description, r.Summary)},
		Help:                 sarifText{r.Help},
		HelpURI:              projectURI + "#rules",
		DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)},
		Properties:           props,
	}
}

func sarifFixOf(f Finding) sarifFix {
	ch := sarifArtifactChange{ArtifactLocation: sarifArtifact{f.File}}
	for _, e := range f.Edits {
		rep := sarifReplacement{DeletedRegion: sarifRegion{e.Start.Line, e.Start.Char, e.End.Line, e.End.Char}}
		if e.Text != "" {
			rep.InsertedContent = &sarifText{e.Text}
		}
		ch.Replacements = append(ch.Replacements, rep)
	}
	desc := f.Fix
	if f.Applicability == "unsafe" {
		desc = "(unsafe: review it) " + desc
	}
	return sarifFix{Description: sarifText{desc}, ArtifactChanges: []sarifArtifactChange{ch}}
}

func sarifLevel(severity string) string { return level(severity, "error", "warning", "note") }

// sarifProof is a result's "verification" property (fix --verify).
func sarifProof(p *Proof) map[string]any {
	m := map[string]any{"kept": p.Kept, "reason": p.Reason, "builder": p.Builder}
	if p.Image != "" {
		m["image"] = p.Image
		m["buildSeconds"] = p.BuildSeconds
	}
	if p.SizeBytes > 0 {
		m["sizeBytes"] = p.SizeBytes
	}
	if p.OriginalSizeBytes > 0 {
		m["originalSizeBytes"] = p.OriginalSizeBytes
	}
	if p.Smoke != "" {
		m["smoke"] = p.Smoke
	}
	if p.SmokeExitCode != nil {
		m["smokeExitCode"] = *p.SmokeExitCode
	}
	return m
}
