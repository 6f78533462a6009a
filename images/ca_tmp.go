package images

// TEMPORARY until the generated table lands (merge of branch verify).
func LosesCACerts(pkg string) bool {
	switch pkg {
	case "curl", "wget", "git", "gnupg", "dirmngr", "libcurl4":
		return true
	}
	return false
}

func ShipsCACerts(image, tag string) (ships, known bool) {
	switch image {
	case "python", "ruby", "pypy":
		return true, true
	case "debian", "ubuntu", "node":
		return false, true
	}
	return false, false
}
