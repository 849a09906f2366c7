module github.com/citylens/citylens

go 1.26.8
