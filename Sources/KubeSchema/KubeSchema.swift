// The KubeSchema module; see ../../../shared/DESIGN.md (module table).
