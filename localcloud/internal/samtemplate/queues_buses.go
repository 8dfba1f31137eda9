package samtemplate

func (b *builder) buildBuses() error {
	for _, res := range b.resourcesOf(typeBus) {
		name, err := b.r.physicalName(res)
		if err != nil {
			return err
		}
		b.t.Buses[res.id] = &Bus{LogicalID: res.id, Name: name, Arn: b.r.busArn(name)}
	}
	return nil
}

func (b *builder) buildQueues() error {
	for _, res := range b.resourcesOf(typeQueue) {
		name, err := b.r.physicalName(res)
		if err != nil {
			return err
		}
		b.t.Queues[res.id] = &Queue{LogicalID: res.id, Name: name, Arn: b.r.queueArn(name), URL: b.r.queueURL(name)}
	}
	return nil
}
