"""The year's written results as Word documents in the official format (GB/T 9704-2012): the
supervision report (第十二条(六)) and the agencies' feedback sheets (第十二条(七)), built from a
scoring run, stored once with their hash and never changed."""
