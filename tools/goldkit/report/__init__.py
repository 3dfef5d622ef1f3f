"""Static HTML reports of gold and of annotators' disagreements: texts with every span drawn on them."""
