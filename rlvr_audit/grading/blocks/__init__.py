"""Building blocks of grading profiles: answer extraction, normalisation, equivalence checks and the math-only safety gate."""
