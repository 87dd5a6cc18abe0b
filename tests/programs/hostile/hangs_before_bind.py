"""Never gets to listening: sleeps forever."""

import time

while True:
    time.sleep(60)
