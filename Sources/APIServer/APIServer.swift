// The APIServer module; see ../../../shared/DESIGN.md (module table).
