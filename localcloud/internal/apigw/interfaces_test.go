package apigw

import (
	"github.com/calltaxi/call-taxi/localcloud/internal/jwtlocal"
	"github.com/calltaxi/call-taxi/localcloud/internal/lambdaemu"
)

// The local cloud wires these concrete types into the gateway.
var (
	_ Invoker  = (*lambdaemu.Service)(nil)
	_ Verifier = (*jwtlocal.Issuer)(nil)
)
