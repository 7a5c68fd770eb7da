"""Other correct ways to write notebook 00's warm-up."""



def squared_error_loop(yhat, y):
    total = 0.0
    for a, b in zip(yhat, y, strict=True):
        total += (a - b) ** 2 / 2
    return total


def squared_error_dot(yhat, y):
    r = yhat - y
    return 0.5 * r @ r  # a NumPy scalar is accepted as a number


ALTERNATIVES = {"00.squared_error": [squared_error_loop, squared_error_dot]}
