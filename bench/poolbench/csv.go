package main

import (
	"bufio"
	"fmt"
	"log"
	"os"
)

// writeCSV writes the numbers of poolNumbers to an inventory file whose
// type and region come from the metadata at import.
func writeCSV(path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "e164,capabilities,monthly_fee")
	count := 0
	for number := range poolNumbers(n) {
		fmt.Fprintf(w, "%s,voice;sms,1.15\n", number.E164)
		count++
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("csv: %d rows written to %s\n", count, path)
}
