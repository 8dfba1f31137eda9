// Package api_test checks api/openapi.yaml: that it describes exactly the HTTP API routes template.yaml
// deploys, and that every operation documents its security, errors and retry advice. Real responses are
// validated against its schemas by the browser suite (web/e2e/openapi.test.mjs).
package api_test
