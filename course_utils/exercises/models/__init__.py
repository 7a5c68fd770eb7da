"""The course's models written once, with knobs for the mistakes learners make.

Exercise modules build their references from these functions: every knob's default is
the right answer, and each module's ``*_SLIPS`` tuples name the wrong settings.

- ``one_layer``: one sigmoid unit on a number, a vector, a batch (notebooks 02-04);
- ``two_layer``: two layers without biases (notebooks 05-07);
- ``deep``: sigmoid networks with biases and cross-entropy, any depth (notebooks 08-10);
- ``softmax``: softmax outputs, their Jacobian and the cross-entropy through them (notebook 09).
"""
