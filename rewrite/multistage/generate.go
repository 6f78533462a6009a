package multistage

//go:generate go run ./gendevlibs -o devlibs_table.go
