package contracts

// Spec documents who consumes an event. The template's EventBridge rules are tested against it.
type Spec struct {
	Name      string
	Source    string
	Consumers []string // template logical ids of consuming functions
	External  string   // why no function in this stack consumes it
}

// Catalog lists every event the system publishes.
var Catalog = []Spec{
	{Name: NameOrderPlaced, Source: SourceOrder, Consumers: []string{"ReservationFunction"}},
	{Name: NameOrderCanceled, Source: SourceOrder, Consumers: []string{"ReservationFunction"}},
	{Name: NamePaymentApproved, Source: SourcePayment, Consumers: []string{"OrderFunction"}},
	{Name: NamePaymentCanceled, Source: SourcePayment, External: "integration point for accounting; refunds are synchronous in the cancel request"},
	{Name: NameReservationRequested, Source: SourceReservation, External: "integration point for dispatch screens; managers read the Reservations table"},
	{Name: NameReservationConfirmed, Source: SourceReservation, Consumers: []string{"TaxiFunction"}},
	{Name: NameReservationCanceled, Source: SourceReservation, Consumers: []string{"TaxiFunction"}},
	{Name: NameTaxiAssigned, Source: SourceTaxi, Consumers: []string{"ReservationFunction"}},
	{Name: NameTaxiAssignmentRejected, Source: SourceTaxi, Consumers: []string{"ReservationFunction"}},
	{Name: NameTaxiReleased, Source: SourceTaxi, Consumers: []string{"ReservationFunction"}},
	{Name: NameReservationPickedUp, Source: SourceReservation, Consumers: []string{"OrderFunction"}},
	{Name: NameReservationCompleted, Source: SourceReservation, Consumers: []string{"TaxiFunction"}},
}
