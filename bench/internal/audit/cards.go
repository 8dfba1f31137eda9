package audit

import (
	"bytes"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// elfMagic marks executables: the function binaries in the data dir's build folder legitimately embed
// the simulated gateway's test cards, and they are not data.
var elfMagic = []byte{0x7f, 'E', 'L', 'F'}

// checkCardNumbers: no full card number in any table, SMS, dead letter or data file.
func checkCardNumbers(s Snapshot, e Expectations) Result {
	res := Result{Name: "no full card number stored anywhere"}
	names := make([]string, 0, len(s.Blobs))
	for name := range s.Blobs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		res.Checked++
		res.Violations = append(res.Violations, findCards(name, s.Blobs[name], e.Cards)...)
	}
	if s.DataDir == nil {
		return res
	}
	err := fs.WalkDir(s.DataDir, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file removed mid-walk (compaction) is not a finding
		}
		if d.IsDir() {
			if path == "build" {
				return fs.SkipDir
			}
			return nil
		}
		data, err := fs.ReadFile(s.DataDir, path)
		if err != nil || bytes.HasPrefix(data, elfMagic) {
			return nil
		}
		res.Checked++
		res.Violations = append(res.Violations, findCards("data file "+path, data, e.Cards)...)
		return nil
	})
	if err != nil {
		res.Violations = append(res.Violations, fmt.Sprintf("scan data dir: %v", err))
	}
	return res
}

func findCards(where string, data []byte, cards []string) []string {
	var found []string
	for _, card := range cards {
		if n := bytes.Count(data, []byte(card)); n > 0 {
			found = append(found, fmt.Sprintf("card %s found %d× in %s", mask(card), n, where))
		}
	}
	return found
}

// mask keeps the first 4 and last 4 digits, so the report itself holds no card number.
func mask(card string) string {
	if len(card) <= 8 {
		return strings.Repeat("•", len(card))
	}
	return card[:4] + strings.Repeat("•", len(card)-8) + card[len(card)-4:]
}
