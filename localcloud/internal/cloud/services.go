package cloud

import (
	"net/http"
	"strings"

	"github.com/calltaxi/call-taxi/localcloud/internal/cognitoemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/ssmemu"
)

// servicesMux is the one endpoint every AWS_ENDPOINT_URL_<SERVICE> points at; requests are told apart the
// way AWS's protocols mark them.
type servicesMux struct {
	lambda, dynamodb, eventbridge, sns, sqs, cognito, ssm http.Handler
}

func (m servicesMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	switch {
	case r.URL.Path == "/2015-03-31/functions", strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/"):
		m.lambda.ServeHTTP(w, r)
	case strings.HasPrefix(target, "DynamoDB_"), strings.HasPrefix(target, "DynamoDBStreams_20120810."):
		m.dynamodb.ServeHTTP(w, r)
	case strings.HasPrefix(target, "AmazonSQS."):
		m.sqs.ServeHTTP(w, r)
	case strings.HasPrefix(target, cognitoemu.TargetPrefix):
		m.cognito.ServeHTTP(w, r)
	case strings.HasPrefix(target, ssmemu.TargetPrefix):
		m.ssm.ServeHTTP(w, r)
	case strings.HasPrefix(target, "AWSEvents."):
		m.eventbridge.ServeHTTP(w, r)
	case strings.HasPrefix(target, "AmazonSimpleNotificationService."),
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		m.sns.ServeHTTP(w, r)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"UnknownOperationException","message":"the local cloud does not serve this AWS API"}`))
	}
}
