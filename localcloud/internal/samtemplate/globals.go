package samtemplate

// mergeGlobals merges a Globals section into a resource's properties the way SAM does: the resource's
// scalars win, mappings merge key by key (recursively), lists are concatenated (globals first).
// Intrinsic functions count as scalars.
func mergeGlobals(global, local any) any {
	if global == nil {
		return local
	}
	if local == nil {
		return global
	}
	gm, gIsMap := plainMap(global)
	lm, lIsMap := plainMap(local)
	if gIsMap && lIsMap {
		out := make(map[string]any, len(gm)+len(lm))
		for k, v := range gm {
			out[k] = v
		}
		for k, v := range lm {
			if g, ok := gm[k]; ok {
				out[k] = mergeGlobals(g, v)
			} else {
				out[k] = v
			}
		}
		return out
	}
	gl, gIsList := global.([]any)
	ll, lIsList := local.([]any)
	if gIsList && lIsList {
		return append(append(make([]any, 0, len(gl)+len(ll)), gl...), ll...)
	}
	return local
}

func plainMap(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	if _, intrinsic := intrinsicName(m); intrinsic {
		return nil, false
	}
	return m, true
}
