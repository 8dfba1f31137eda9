// Command identity is the user pool's PostConfirmation trigger: a user who signs up and confirms their
// address becomes a customer. Managers and drivers are added by an administrator (make add-user).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/calltaxi/call-taxi/shared/awsconfig"
	"github.com/calltaxi/call-taxi/shared/envcfg"
	"github.com/calltaxi/call-taxi/shared/logging"
)

func main() {
	logger := logging.New(os.Stdout, envcfg.String("LOG_LEVEL", "INFO"))
	cfg, err := awsconfig.Load(context.Background())
	if err != nil {
		logging.Exit(logger, "aws configuration", err)
	}
	groups := NewAdapter(cognitoidentityprovider.NewFromConfig(cfg))
	lambda.Start(NewHandler(groups, logger).PostConfirmation)
}
