package ddbemu

import "net/http"

const targetPrefix = "DynamoDB_20120810."

// engineResult is the answer to one API call.
type engineResult struct {
	status int
	body   []byte
}

func (r engineResult) ok() bool { return r.status == http.StatusOK }
