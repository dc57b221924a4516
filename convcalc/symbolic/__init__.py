"""Pure mathematics, the ground floor: symbolic sizes (dims), quasi-polynomials (quasi),
periodic integer sets (intsets) and the conditions under which sizes are equal (conditions).
Nothing here knows about layers, networks or files."""
