package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

var (
	colOriginal = color.RGBA{0x9e, 0x9e, 0x9e, 0xff}
	colSafe     = color.RGBA{0x2e, 0x7d, 0x32, 0xff}
	colUnsafe   = color.RGBA{0x15, 0x65, 0xc0, 0xff}
	colExpert   = color.RGBA{0xef, 0x6c, 0x00, 0xff}
	colText     = color.Black
)

// bar is one image's size in the chart.
type bar struct {
	size int64
	c    color.Color
}

// bars are an app's bars: original, fixed (safe), fixed (unsafe, when
// measured) and the expert's (when the app has one).
func bars(a *App) []bar {
	if a.Safe == nil {
		return nil
	}
	bs := []bar{{a.Safe.Original.SizeBytes, colOriginal}, {a.Safe.Fixed.SizeBytes, colSafe}}
	if a.Unsafe != nil {
		bs = append(bs, bar{a.Unsafe.Fixed.SizeBytes, colUnsafe})
	}
	if e := a.expert(); e != nil && e.Built {
		bs = append(bs, bar{e.SizeBytes, colExpert})
	}
	return bs
}

// writeChart draws one group of horizontal bars per app (see bars), scaled
// to the largest image.
func writeChart(path string, apps []*App) error {
	const (
		left, right, top = 150, 110, 40
		barH, gap        = 12, 14
		width            = 900
	)
	var maxSize int64
	for _, a := range apps {
		if a.Safe != nil {
			maxSize = max(maxSize, a.Safe.Original.SizeBytes)
		}
	}
	height := top + len(apps)*(4*barH+gap) + 30
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	text(img, 10, 20, "Image size before and after dockslim fix (uncompressed, stand-in bases)")
	legend := []struct {
		c    color.Color
		name string
	}{{colOriginal, "original"}, {colSafe, "fixed"}, {colUnsafe, "fixed --unsafe-fixes"}, {colExpert, "expert"}}
	x := left
	for _, l := range legend {
		fill(img, x, 26, x+10, 34, l.c)
		text(img, x+14, 34, l.name)
		x += 40 + 7*len(l.name)
	}
	scale := func(b int64) int {
		if maxSize == 0 {
			return 0
		}
		return int(float64(b) / float64(maxSize) * float64(width-left-right))
	}
	y := top + 6
	for _, a := range apps {
		text(img, 10, y+barH+barH/2+4, a.Name)
		for i, b := range bars(a) {
			by := y + i*barH
			w := scale(b.size)
			fill(img, left, by, left+w, by+barH-2, b.c)
			text(img, left+w+6, by+barH-3, fmt.Sprintf("%.0f MB", float64(b.size)/1e6))
		}
		y += 4*barH + gap
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fill(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
}

func text(img *image.RGBA, x, y int, s string) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(colText), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
