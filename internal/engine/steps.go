package engine

import (
	"fmt"
	"sort"

	"github.com/citylens/citylens"
)

// raw assembles the indicator columns of the data in framework order.
func raw(f *Framework, d *Data) (*Matrix, error) {
	codes := f.Indicators()
	m := newMatrix(d.Units, codes)
	for j, c := range codes {
		col, ok := d.Columns[c]
		if !ok {
			return nil, citylens.Errorf(citylens.EINVALID, "data: indicator %q has no column in the data", c)
		}
		copy(m.Cols[j], col)
	}
	return m, nil
}

// denominate divides each indicator that names a denominator by that column
// of the data. A missing numerator or denominator gives NA (as COINr), noted
// in warnings; a zero denominator is an error.
func denominate(f *Framework, d *Data, in *Matrix) (*Matrix, []string, error) {
	out := in.Clone()
	var warn []string
	for j, c := range out.Codes {
		n, _ := f.Node(c)
		if n.Denominator == "" {
			continue
		}
		den, ok := d.Columns[n.Denominator]
		if !ok {
			return nil, nil, citylens.Errorf(citylens.EINVALID, "denominate: indicator %q: denominator %q is not a column of the data", c, n.Denominator)
		}
		col := out.Cols[j]
		for i := range col {
			switch {
			case IsNA(den[i]):
				if !IsNA(col[i]) {
					warn = append(warn, fmt.Sprintf("denominate: unit %q: denominator %q is missing, so %q is missing", out.Units[i], n.Denominator, c))
				}
				col[i] = NA
			case den[i] == 0:
				return nil, nil, citylens.Errorf(citylens.EINVALID, "denominate: unit %q: denominator %q of indicator %q is zero", out.Units[i], n.Denominator, c)
			default:
				col[i] /= den[i]
			}
		}
	}
	return out, warn, nil
}

// impute fills missing values per indicator column.
func impute(spec Imputation, d *Data, in *Matrix) (*Matrix, []string, error) {
	if spec.Method == "" || spec.Method == ImputeNone {
		return in, nil, nil
	}
	out := in.Clone()
	var warn []string
	var groups []string
	if spec.Method == ImputeGroupMean || spec.Method == ImputeGroupMedian {
		groups = d.Groups[spec.Group]
		if len(groups) != len(d.Units) || len(out.Units) != len(d.Units) {
			return nil, nil, citylens.Errorf(citylens.EINVALID, "impute: group column %q does not cover the units", spec.Group)
		}
	}
	useMedian := spec.Method == ImputeMedian || spec.Method == ImputeGroupMedian
	stat := func(vals []float64) float64 {
		if useMedian {
			return median(vals)
		}
		return mean(vals)
	}
	var buf []float64
	for j, col := range out.Cols {
		src := in.Cols[j]
		if groups == nil {
			var v float64
			filled := false
			for i := range col {
				if IsNA(col[i]) {
					if !filled {
						v, filled = stat(src), true
					}
					if IsNA(v) {
						warn = append(warn, fmt.Sprintf("impute: indicator %q has no values to impute from", out.Codes[j]))
						break
					}
					col[i] = v
				}
			}
			continue
		}
		cache := map[string]float64{}
		for i := range col {
			if !IsNA(col[i]) {
				continue
			}
			g := groups[i]
			v, ok := cache[g]
			if !ok {
				buf = buf[:0]
				for k := range src {
					if groups[k] == g {
						buf = append(buf, src[k])
					}
				}
				v = stat(buf)
				cache[g] = v
				if IsNA(v) {
					warn = append(warn, fmt.Sprintf("impute: indicator %q has no values in group %s=%q; its missing values stay missing", out.Codes[j], spec.Group, g))
				}
			}
			col[i] = v
		}
	}
	return out, warn, nil
}

// ScreenRow is one unit's data availability, as COINr's Screen summary.
type ScreenRow struct {
	Unit      string
	NMissing  int
	NZero     int
	DatAvail  float64 // share of indicators with a value
	NonZero   float64 // share of the present values that are not zero
	LowData   bool
	LowNonZer bool
	Included  bool
}

// screen removes units with too little data.
func screen(spec Screening, in *Matrix) (*Matrix, []ScreenRow) {
	rows := make([]ScreenRow, len(in.Units))
	k := float64(len(in.Codes))
	nzThresh := spec.NonZeroThreshold
	if nzThresh == 0 {
		nzThresh = 0.5
	}
	keep := make([]int, 0, len(in.Units))
	for i, u := range in.Units {
		r := ScreenRow{Unit: u}
		for _, c := range in.Cols {
			switch {
			case IsNA(c[i]):
				r.NMissing++
			case c[i] == 0:
				r.NZero++
			}
		}
		r.DatAvail = 1 - float64(r.NMissing)/k
		// As COINr: the non-zero share is over the values present.
		if present := k - float64(r.NMissing); present > 0 {
			r.NonZero = 1 - float64(r.NZero)/present
		}
		r.LowData = r.DatAvail < spec.Threshold
		r.LowNonZer = r.NonZero < nzThresh
		switch spec.Method {
		case ScreenByNA:
			r.Included = !r.LowData
		case ScreenByNAOrZeros:
			r.Included = !r.LowData && !r.LowNonZer
		case ScreenByNAAndZero:
			r.Included = !(r.LowData && r.LowNonZer)
		default:
			r.Included = true
		}
		if r.Included {
			keep = append(keep, i)
		}
		rows[i] = r
	}
	if len(keep) == len(in.Units) {
		return in, rows
	}
	units := make([]string, len(keep))
	for k, i := range keep {
		units[k] = in.Units[i]
	}
	out := newMatrix(units, in.Codes)
	for j, c := range in.Cols {
		for k, i := range keep {
			out.Cols[j][k] = c[i]
		}
	}
	return out, rows
}

// Ranks ranks every column: 1 is the highest value, ties share the lowest rank, NA stays NA.
func Ranks(m *Matrix) *Matrix {
	out := newMatrix(m.Units, m.Codes)
	idx := make([]int, 0, len(m.Units))
	for j, c := range m.Cols {
		rankDesc(c, out.Cols[j], idx)
	}
	return out
}

// sortUnitsByCode is used by readers that must present units in COINr's order.
func sortUnitsByCode(units []string) []int {
	idx := make([]int, len(units))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return units[idx[a]] < units[idx[b]] })
	return idx
}
