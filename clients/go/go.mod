module r53sim

go 1.19
