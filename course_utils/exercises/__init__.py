"""One module per notebook, each defining ``EXERCISES``: a list of ``Exercise`` records.

Module names start with the notebook number (``nb03_one_layer_vector.py``) so the
registry loads them in course order.
"""
